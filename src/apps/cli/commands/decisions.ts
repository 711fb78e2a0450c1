/**
 * The commands that decide for a run as the operator whose token the caller holds: `resolve`, `approve`, `complete`,
 * `inject` and `reschedule`. Each prints the run's receipt: its message, or with --json the receipt itself.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import {
  answerQuestion,
  decisionIdFor,
  escalationDecisionId,
  getRunStatus,
  injectFault,
  questionFor,
  reschedule,
  resolveEscalation,
} from '../../../client';
import { parseFaultSpec } from '../../../../workflows/kit/input';
import type { DecisionIdentity, DecisionReceipt } from '../../../../workflows/kit/types';
import { APPROVAL_CHOICES, ESCALATION_ACTIONS, FAULT_SYNTAX, TASK_DONE, type EscalationAction } from '../../../../workflows/kit/vocabulary';
import { parseDecisionOutput } from '../decision-output';
import { authorisedCaller } from '../identity';
import { UsageError, type Io } from '../io';
import { printJson, type CliCommand } from '../command';
import { resolveAll } from './bulk';

const TOKEN_NOTE = `Acts as the operator whose token you hold (OVERTURE_TOKEN, OVERTURE_TOKEN_FILE or ~/.config/overture/token);
the decision is recorded under that operator's name.`;

/** What --json prints for every decision: the run's receipt. */
const RECEIPT_JSON = `--json   the run's receipt: {workflowId, applied, message, repeat?, decisionId?, request?, at?}
           (applied: this request made the change; repeat: it had been made already, nothing changed)`;

function printReceipt(io: Io, workflowId: string, receipt: DecisionReceipt, json: boolean | undefined): number {
  if (json) printJson(io, { workflowId, ...receipt });
  else io.stdout(receipt.message);
  return 0;
}

/** `overture resolve ID --step STEP --action ...` (and `resolve --all`, see ./bulk.ts). */
export const resolveCommand: CliCommand = {
  name: 'resolve',
  args: ['run-id'],
  summary: 'decide an escalated step: retry, skip or abort (or every one of a step with --all)',
  usage: `usage: overture resolve ID --step STEP --action ${ESCALATION_ACTIONS.join('|')} [--reason TEXT] [--output JSON] [--json]
       overture resolve --all --step STEP --action retry|skip|abort [--process P] [--task-queue Q] [--reason TEXT]
                [--output JSON] [--bulk-id ID] [--json]

Decides the open escalation of STEP in run ID (role operator). skip takes the step's output as --output, a JSON
object of strings.

  --reason TEXT   recorded with the decision
  --output JSON   the skipped step's output, e.g. {"workspaceUrl":"https://..."}
  ${RECEIPT_JSON}
  --all           every run with an open escalation of STEP (--process P, --task-queue Q narrow it; --bulk-id ID
                  repeats a bulk safely); --json prints {bulkId, step, action, outcomes: [{workflowId, ok, applied,
                  message}], applied, acknowledged, failed}; exit 1 when any run refused

${TOKEN_NOTE}`,
  options: ['step=', 'action=', 'reason=', 'output=', 'json', 'all', 'process=', 'task-queue=', 'bulk-id='],
  async run(args, io, env) {
    if (args.includes('--all')) return resolveAll(await env.client(), env.config(), args, io);
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        step: { type: 'string' },
        action: { type: 'string' },
        reason: { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1 || !values.step || !values.action)
      throw new UsageError(`resolve takes ID --step STEP --action ${ESCALATION_ACTIONS.join('|')}`);
    if (!(ESCALATION_ACTIONS as readonly string[]).includes(values.action))
      throw new UsageError(`--action must be one of ${ESCALATION_ACTIONS.join(', ')}, not "${values.action}"`);
    const output = parseDecisionOutput(values.output);
    const identity = await authorisedCaller(env.config(), 'operator', 'deciding an escalation');
    const client = await env.client();
    const workflowId = positionals[0]!;
    const step = values.step;
    const status = await getRunStatus(client, workflowId);
    const receipt = await resolveEscalation(client, workflowId, {
      step,
      action: values.action as EscalationAction,
      by: identity.operator,
      identity,
      reason: values.reason,
      output,
      decisionId: escalationDecisionId(status, step, values.action),
    });
    return printReceipt(io, workflowId, receipt, values.json);
  },
};

interface Answer {
  name: string | undefined;
  decision: string;
  reason?: string;
  output?: string;
  json?: boolean;
}

async function answer(client: Client, identity: DecisionIdentity, workflowId: string, a: Answer, io: Io): Promise<number> {
  const output = parseDecisionOutput(a.output); // a usage mistake before anything is asked of the run
  const status = await getRunStatus(client, workflowId);
  const question = questionFor(status, a.name);
  const receipt = await answerQuestion(client, workflowId, {
    question: question?.id ?? a.name,
    decision: a.decision,
    by: identity.operator,
    identity,
    reason: a.reason,
    output,
    decisionId: question ? decisionIdFor(question, a.decision) : undefined,
  });
  return printReceipt(io, workflowId, receipt, a.json);
}

/** `overture approve ID --decision D`. */
export const approveCommand: CliCommand = {
  name: 'approve',
  args: ['run-id'],
  summary: `answer an approval (${APPROVAL_CHOICES.join('|')}) or any open question`,
  usage: `usage: overture approve ID [--question Q] --decision D [--reason TEXT] [--output JSON] [--json]

Answers run ID's open approval with ${APPROVAL_CHOICES.join(' or ')} (role approver), or, named with --question, any of
its open questions with one of that question's own choices (see overture status ID).

  --question Q    which open question (needed when the run has more than one, or for a question's own choices)
  --decision D    the answer
  --reason TEXT   recorded with the decision
  --output JSON   what the answer hands on, a JSON object of strings
  ${RECEIPT_JSON}

${TOKEN_NOTE}`,
  options: ['question=', 'decision=', 'reason=', 'output=', 'json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        question: { type: 'string' },
        decision: { type: 'string' },
        reason: { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1 || !values.decision)
      throw new UsageError(`approve takes ID [--question Q] --decision ${APPROVAL_CHOICES.join('|')} (or the question's own choice)`);
    if (!values.question && !(APPROVAL_CHOICES as readonly string[]).includes(values.decision)) {
      throw new UsageError(
        `--decision must be one of ${APPROVAL_CHOICES.join(', ')}, not "${values.decision}" (name the question with --question for its own choices)`,
      );
    }
    parseDecisionOutput(values.output);
    const identity = await authorisedCaller(env.config(), 'approver', 'answering an approval or a question');
    return answer(await env.client(), identity, positionals[0]!, { ...values, name: values.question, decision: values.decision }, io);
  },
};

/** `overture complete ID --step STEP --output JSON`. */
export const completeCommand: CliCommand = {
  name: 'complete',
  args: ['run-id'],
  summary: 'report a manual task done, with its output',
  usage: `usage: overture complete ID --step STEP --output JSON [--reason TEXT] [--json]

Reports run ID's manual task STEP done, with the output the task asks for (role operator; the run also accepts it
from the task's assignee).

  --step STEP     the manual task
  --output JSON   its output, a JSON object of strings, e.g. {"workspaceUrl":"https://..."}
  --reason TEXT   recorded with the decision
  ${RECEIPT_JSON}

${TOKEN_NOTE}`,
  options: ['step=', 'output=', 'reason=', 'json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { step: { type: 'string' }, reason: { type: 'string' }, output: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1 || !values.step) throw new UsageError('complete takes ID --step STEP --output JSON');
    parseDecisionOutput(values.output);
    // Any operator may complete a task; the run itself also accepts it from the task's assignee.
    const identity = await authorisedCaller(env.config(), 'operator', 'completing a task');
    return answer(await env.client(), identity, positionals[0]!, { ...values, name: values.step, decision: TASK_DONE }, io);
  },
};

/** `overture inject ID STEP=MODE`. */
export const injectCommand: CliCommand = {
  name: 'inject',
  args: ['run-id', 'step='],
  summary: 'make a step of a running run fail (a drill), or clear that',
  usage: `usage: overture inject ID STEP=MODE [--json]

Injects a failure into STEP of running run ID (role operator). MODE: ${FAULT_SYNTAX}

  ${RECEIPT_JSON}

${TOKEN_NOTE}`,
  options: ['json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 2) throw new UsageError('inject takes ID STEP=MODE');
    await authorisedCaller(env.config(), 'operator', 'injecting a fault');
    const client = await env.client();
    const workflowId = positionals[0]!;
    const status = await getRunStatus(client, workflowId);
    const { step, fault } = parseFaultSpec(
      positionals[1]!,
      status.steps.map((s) => s.step),
    );
    return printReceipt(io, workflowId, await injectFault(client, workflowId, step, fault, status), values.json);
  },
};

/** `overture reschedule ID --at ISO-TIME | --now`. */
export const rescheduleCommand: CliCommand = {
  name: 'reschedule',
  args: ['run-id'],
  summary: 'move a scheduled wait (e.g. a publication) or go now',
  usage: `usage: overture reschedule ID --at ISO-TIME | --now [--step STEP] [--reason TEXT] [--json]

Moves the time run ID waits for (role operator).

  --at ISO-TIME   the new time, with a zone, e.g. 2026-12-01T09:00:00Z
  --now           stop waiting and go on now
  --step STEP     which step's wait, when the run has several
  --reason TEXT   recorded with the change
  ${RECEIPT_JSON}

${TOKEN_NOTE}`,
  options: ['at=', 'now', 'step=', 'reason=', 'json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        at: { type: 'string' },
        now: { type: 'boolean' },
        step: { type: 'string' },
        reason: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1 || (values.at === undefined) === !values.now)
      throw new UsageError('reschedule takes ID and either --at ISO-TIME or --now');
    if (values.at !== undefined && (!/(Z|[+-]\d{2}:\d{2})$/.test(values.at) || Number.isNaN(Date.parse(values.at)))) {
      throw new UsageError(`--at must be an ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z, not "${values.at}"`);
    }
    const identity = await authorisedCaller(env.config(), 'operator', 'moving a scheduled wait');
    const workflowId = positionals[0]!;
    const receipt = await reschedule(await env.client(), workflowId, {
      step: values.step,
      at: values.at,
      now: values.now,
      by: identity.operator,
      identity,
      reason: values.reason,
    });
    return printReceipt(io, workflowId, receipt, values.json);
  },
};
