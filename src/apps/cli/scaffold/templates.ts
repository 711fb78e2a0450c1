/**
 * The files of a new process, as `overture new process NAME` writes them: a working three-step process (an
 * activity step with a retry policy and an undo, a person's approval, a wait for an event) in its two folders, its
 * example input and its tests. docs/writing-a-process.md takes it from there.
 */

/** The ways a process's name is spelled in its code, from its kebab-case name. */
export interface ProcessNames {
  /** `expense-approval`: folders, the process name, the workflow id prefix, event types. */
  name: string;
  /** `expenseApproval`: the workflow function and type. */
  camel: string;
  /** `ExpenseApproval`: types and activity names. */
  pascal: string;
  /** `EXPENSE_APPROVAL`: the shape, and the settings' variables. */
  constant: string;
  /** `Expense approval`: what people read. */
  title: string;
}

/** Spells a kebab-case name every way the templates need. */
export function namesOf(name: string): ProcessNames {
  const words = name.split('-');
  const camel = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return {
    name,
    camel,
    pascal: camel.charAt(0).toUpperCase() + camel.slice(1),
    constant: words.join('_').toUpperCase(),
    title: (words.join(' ').charAt(0).toUpperCase() + words.join(' ').slice(1)).trim(),
  };
}

/** Every file of a new process, by path relative to the repository. */
export function processFiles(n: ProcessNames): Record<string, string> {
  return {
    [`workflows/${n.name}/shape.ts`]: shape(n),
    [`workflows/${n.name}/types.ts`]: types(n),
    [`workflows/${n.name}/definition.ts`]: definition(n),
    [`workflows/${n.name}/workflow.ts`]: workflow(n),
    [`workflows/${n.name}/index.ts`]: workflowsIndex(n),
    [`activities/${n.name}/activities.ts`]: activities(n),
    [`activities/${n.name}/settings.ts`]: settings(n),
    [`activities/${n.name}/index.ts`]: worker(n),
    [`examples/${n.name}.json`]: example(),
    [`test/processes/${n.name}/${n.name}.test.ts`]: tests(n),
  };
}

const shape = (n: ProcessNames) => `/**
 * The shape of ${n.title.toLowerCase()}: its steps in the order they are shown, what each needs first, and the
 * outputs later steps read. Read by the workflow (its DAG and tracker), the registry, the CLI and the console.
 */
import { defineShape } from '../kit/shape';

export const ${n.constant} = defineShape({
  name: '${n.name}',
  title: '${n.title}',
  steps: {
    recordRequest: { title: 'Record the request', kind: 'activity', outputs: { recordId: 'text' } },
    review: { title: 'A reviewer approves or rejects the request', kind: 'approval', needs: ['recordRequest'] },
    awaitConfirmation: { title: 'Wait for the requester to confirm (${n.name}.confirmed)', kind: 'event', needs: ['review'] },
  },
});
`;

const types = (n: ProcessNames) => `/**
 * Types of ${n.title.toLowerCase()}, shared by its workflow, its activities and its clients. Pure types only: this
 * module is bundled into the deterministic workflow sandbox.
 */
import type { ProcessOptions } from '../kit/types';

/** What starts a run. The requester's address is personal data: never in workflow ids, search attributes or logs. */
export interface ${n.pascal}Request {
  /** A slug: part of the workflow id. */
  requestId: string;
  summary: string;
  requesterEmail: string;
}

/** The run's options: the kit's, plus who reviews and how long the requester has to confirm. */
export interface ${n.pascal}Options extends ProcessOptions {
  reviewerEmail: string;
  confirmationWaitMs: number;
}

export interface ${n.pascal}Input {
  request: ${n.pascal}Request;
  options: ${n.pascal}Options;
}

export interface ${n.pascal}Result {
  state: 'completed';
  requestId: string;
  recordId: string;
  /** Whether the requester confirmed within the wait. */
  confirmed: boolean;
  skippedSteps: string[];
}
`;

const definition = (n: ProcessNames) => `/**
 * ${n.title} in the registry: its input, workflow id, step policies, options, example, and the
 * \`${n.name}.confirmed\` event that its wait takes.
 */
import { z } from 'zod';
import { defineProcess, type EventRoute } from '../kit/definition';
import { emailAddress, safeText } from '../kit/input';
import type { ${n.pascal}Settings } from '../../activities/${n.name}/settings';
import { ${n.constant} } from './shape';
import type { ${n.pascal}Options, ${n.pascal}Request } from './types';

const HOUR_MS = 3_600_000;

const requestId = z
  .string({ error: 'is required' })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or "-" (it becomes part of the workflow ID)');

/** The input, validated before anything starts. Messages name fields, never values. */
export const requestSchema = z.object({ requestId, summary: safeText({ max: 200 }), requesterEmail: emailAddress() }).strict();

/** The workflow id of a request's run: its id only, never the requester. */
export function ${n.camel}WorkflowId(id: string): string {
  return \`${n.name}-\${id}\`;
}

/** The requester confirms: the open run takes the event; an event for no open run starts nothing. */
const confirmed: EventRoute<{ requestId: string }, ${n.pascal}Request> = {
  type: '${n.name}.confirmed',
  description: 'the requester confirms (data: requestId); the open run takes it',
  schema: z.object({ requestId }).strict(),
  workflowId: (data) => ${n.camel}WorkflowId(data.requestId),
};

export const ${n.camel}Definition = defineProcess<typeof ${n.constant}, ${n.pascal}Request, ${n.pascal}Settings>({
  shape: ${n.constant},
  workflowType: '${n.camel}',
  inputSchema: requestSchema,
  workflowId: (request) => ${n.camel}WorkflowId(request.requestId),
  subject: (request) => request.requestId,
  policies: {
    // A file write of milliseconds: the fast path (a local activity), retried quickly.
    recordRequest: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5, runAs: 'local' },
  },
  options: (kit, settings): ${n.pascal}Options => ({ ...kit, reviewerEmail: settings.reviewerEmail, confirmationWaitMs: settings.confirmationWaitHours * HOUR_MS }),
  workflowArgs: (request, options) => [{ request, options }],
  describe: (request) => ({ summary: \`${n.title} \${request.requestId}\`, details: \`Process: ${n.name}\\nRequest: \${request.requestId}\` }),
  example: 'examples/${n.name}.json',
  events: [confirmed],
});

/** The process, as the registry reads it. */
export const definitions = [${n.camel}Definition];
`;

const workflow = (n: ProcessNames) => `/**
 * ${n.title}: record the request → a reviewer approves it (a rejection, or no answer by the deadline, undoes the
 * record) → wait, on a durable timer, for the requester's confirmation (an event).
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { ${n.pascal}Activities } from '../../activities/${n.name}/activities';
import { ${n.constant} } from './shape';
import type { ${n.pascal}Input, ${n.pascal}Result } from './types';

/** Takes one request from its record to the requester's confirmation, durably. */
export async function ${n.camel}(input: ${n.pascal}Input): Promise<${n.pascal}Result> {
  const { request, options } = input;
  const run = { shape: ${n.constant}, options, activities: activitiesOf<${n.pascal}Activities & NoticeActivities>(), subject: request.requestId };
  return runProcess(run, async (p) => {
    let confirmed = false;
    const done = await p.dag({
      recordRequest: (step) =>
        step.run((a) => a.record${n.pascal}({ requestId: request.requestId, summary: request.summary }), {
          undo: { done: 'the record was withdrawn', run: (a) => a.withdraw${n.pascal}({ requestId: request.requestId }) },
        }),
      review: (step, { recordRequest }) =>
        step.approval({
          subject: \`request \${request.requestId}\`,
          approver: options.reviewerEmail,
          details: \`Request \${request.requestId} (record \${recordRequest.recordId}): \${request.summary}\`,
        }),
      awaitConfirmation: async (step) => {
        const event = await step.awaitEvent('${n.name}.confirmed', () => true, options.confirmationWaitMs);
        confirmed = event !== undefined;
      },
    });
    return { state: 'completed', requestId: request.requestId, recordId: done.recordRequest.recordId, confirmed, skippedSteps: p.skippedSteps() };
  });
}
`;

const workflowsIndex = (n: ProcessNames) => `/** ${n.title}'s workflows, for the worker's bundle. */
export { ${n.camel} } from './workflow';
`;

const activities = (n: ProcessNames) => `/**
 * ${n.title}'s activities: each request's record, one JSON file per request in the process's folder of the data
 * directory. Recording is idempotent (a retry writes the same file), and withdrawing it is the step's undo.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { classified } from '../kit/classified';
import { stepActivity } from '../kit/step-attempt';

/** The activities, bound to the folder the records are kept in. */
export function create${n.pascal}Activities(deps: { recordsDir: string }) {
  // The schema allows a slug only; the file name is made safe here too, as the activity trusts no input.
  const fileOf = (requestId: string) => path.join(deps.recordsDir, \`\${requestId.replace(/[^a-z0-9-]/g, '_')}.json\`);

  return {
    record${n.pascal}: stepActivity(async (input: { requestId: string; summary: string }) => {
      await mkdir(deps.recordsDir, { recursive: true });
      const file = fileOf(input.requestId);
      // Written whole or not at all: a crash mid-write never leaves half a record.
      const partial = \`\${file}.\${process.pid}.partial\`;
      await writeFile(partial, JSON.stringify({ requestId: input.requestId, summary: input.summary }, null, 2));
      await rename(partial, file);
      return { recordId: path.basename(file, '.json') };
    }),

    /** Undo of recordRequest: the record goes. */
    async withdraw${n.pascal}(input: { requestId: string }) {
      return classified(async () => {
        await rm(fileOf(input.requestId), { force: true });
        return { withdrawn: input.requestId };
      });
    },
  };
}

export type ${n.pascal}Activities = ReturnType<typeof create${n.pascal}Activities>;
`;

const settings = (
  n: ProcessNames,
) => `/** ${n.title}'s own settings: who reviews, how long a requester has to confirm, where the records are kept. */
import path from 'node:path';
import { z } from 'zod';
import { defineSettings } from '../kit/settings';

export const settings = defineSettings(
  {
    ${n.constant}_REVIEWER: z.email({ error: 'must be an email address' }).default('reviewer@overture.local'),
    ${n.constant}_CONFIRMATION_HOURS: z.coerce.number().positive().default(72),
  },
  (raw, config) => ({
    reviewerEmail: raw.${n.constant}_REVIEWER,
    confirmationWaitHours: raw.${n.constant}_CONFIRMATION_HOURS,
    recordsDir: path.join(config.OVERTURE_DATA_DIR, '${n.name}'),
  }),
);

export type ${n.pascal}Settings = ReturnType<typeof settings.of>;
`;

const worker = (n: ProcessNames) => `/** ${n.title}'s worker part: its activities, bound to its records folder. */
import { defineWorker } from '../kit/process-worker';
import { create${n.pascal}Activities } from './activities';
import { settings } from './settings';

export const worker = defineWorker({
  connect: (systems) => ({ activities: create${n.pascal}Activities({ recordsDir: settings.of(systems.config).recordsDir }) }),
});
`;

const example = () =>
  `${JSON.stringify({ requestId: 'first-request', summary: 'A first request', requesterEmail: 'requester@example.com' }, null, 2)}\n`;

const tests = (n: ProcessNames) => `/**
 * ${n.title} on Temporal's time-skipping test server, with its real activities and notices: the happy path, a
 * rejection that undoes the record, and a confirmation that never comes (72 hours, skipped in milliseconds).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { answerQuestion, sendEvent, startProcess } from '../../../src/client';
import { settings } from '../../../activities/${n.name}/settings';
import { recordingEnv, saveHistory } from '../../helpers/histories';
import { decidedBy } from '../../helpers/operators';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';

const REVIEWER = 'reviewer@example.com';
let stack: TestStack;
beforeAll(async () => {
  // Payloads under the replay key: the happy path's history can be recorded for the replay gate.
  stack = await startTestStack({ ${n.constant}_REVIEWER: REVIEWER, ...recordingEnv() }, { server: 'time-skipping' });
});
afterAll(async () => stack.stop());

let counter = 0;
const request = () => ({ requestId: \`request-\${Date.now().toString(36)}-\${(counter += 1)}\`, summary: 'A first request', requesterEmail: 'requester@example.com' });
const recordOf = (requestId: string) => path.join(settings.of(stack.config).recordsDir, \`\${requestId}.json\`);

/** Starts a run and waits until it asks the reviewer; returns the run and its approval's id. */
async function awaitingReview() {
  const input = request();
  const started = await startProcess(stack.client, stack.config, '${n.name}', input, { tuneOptions: fastOptions() });
  const waiting = await statusWhen(stack, started.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open), 'the review');
  return { input, started, approval: waiting.questions.find((q) => q.kind === 'approval')!.id };
}

it('records the request, asks the reviewer, and completes when the requester confirms', async () => {
  const { input, started, approval } = await awaitingReview();
  expect(fs.existsSync(recordOf(input.requestId))).toBe(true);
  await stack.mail.waitFor((m) => m.to.includes(REVIEWER) && m.subject.includes(started.workflowId));
  await answerQuestion(stack.client, started.workflowId, { question: approval, decision: 'approve', ...decidedBy('reviewer', 'approver', REVIEWER) });
  await statusWhen(stack, started.workflowId, (s) => s.steps.find((x) => x.step === 'awaitConfirmation')?.state === 'waiting', 'the wait for the confirmation');
  await sendEvent(stack.client, started.workflowId, { type: '${n.name}.confirmed', id: 'confirmation-1', data: { requestId: input.requestId } });
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed', requestId: input.requestId, recordId: input.requestId, confirmed: true });
  // With OVERTURE_RECORD_HISTORIES=1, saved to ./histories for the replay gate (docs/writing-a-process.md).
  await saveHistory(started.handle, __dirname, 'confirmed');
});

it('undoes the record when the reviewer rejects', async () => {
  const { input, started, approval } = await awaitingReview();
  await answerQuestion(stack.client, started.workflowId, { question: approval, decision: 'reject', ...decidedBy('reviewer', 'approver', REVIEWER), reason: 'not now' });
  await expect(started.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  expect(fs.existsSync(recordOf(input.requestId))).toBe(false);
});

it('completes unconfirmed when no confirmation comes within the wait (72 h, skipped)', async () => {
  const { started, approval } = await awaitingReview();
  await answerQuestion(stack.client, started.workflowId, { question: approval, decision: 'approve', ...decidedBy('reviewer', 'approver', REVIEWER) });
  await statusWhen(stack, started.workflowId, (s) => s.steps.find((x) => x.step === 'awaitConfirmation')?.state === 'waiting', 'the wait for the confirmation');
  await stack.skipTime(73 * 3_600_000);
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed', confirmed: false });
});
`;
