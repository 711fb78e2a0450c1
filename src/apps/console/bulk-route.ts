/**
 * `POST /api/escalations/bulk` `{ step, action: retry | skip | abort, reason?, process?, output?, bulkId? }`: one
 * decision for every run of this deployment with an open escalation of the step (src/client/bulk-decisions.ts), as the
 * signed-in operator (role operator or above). Answers the bulk id, one outcome per run and the counts.
 */
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../config/platform';
import { BULK_ACTIONS, bulkIdOf, bulkTargets, resolveInBulk, type BulkAction, type BulkReport } from '../../client/bulk-decisions';
import { PROCESSES } from '../../registry';
import { HttpError } from './http-helpers';
import { INPUT_LIMITS, requireString } from './api-input';
import type { Caller } from './session';

const badRequest = (field: string, problem: string) => new HttpError(400, `${field} ${problem}`, { problems: [`${field}: ${problem}`] });

/** Every step name of every registered process: a bulk decision names one of them. */
const ALL_STEPS = new Set(PROCESSES.flatMap((p) => p.shape.steps.map((s) => s.name)));

/** The bulk request's fields, checked (400 naming the field), before any run is listed. */
function parseBulk(body: Record<string, unknown>) {
  const step = requireString(body.step, 'step');
  if (!ALL_STEPS.has(step)) throw badRequest('step', 'must be a step of a registered process');
  if (!BULK_ACTIONS.includes(body.action as BulkAction)) throw badRequest('action', `must be one of ${BULK_ACTIONS.join(', ')}`);
  const reason =
    body.reason === undefined || body.reason === ''
      ? undefined
      : requireString(body.reason, 'reason', INPUT_LIMITS.reasonChars - ' (bulk bulk-0123456789)'.length);
  const process = body.process === undefined || body.process === '' ? undefined : requireString(body.process, 'process');
  if (process && !PROCESSES.some((p) => p.shape.name === process))
    throw badRequest('process', `must be one of ${PROCESSES.map((p) => p.shape.name).join(', ')}`);
  const output = body.output;
  if (
    output !== undefined &&
    (output === null || typeof output !== 'object' || Array.isArray(output) || Object.values(output).some((v) => typeof v !== 'string'))
  ) {
    throw badRequest('output', 'must be an object of strings');
  }
  let bulkId: string;
  try {
    if (body.bulkId !== undefined && typeof body.bulkId !== 'string') throw new RangeError('must be a string');
    bulkId = bulkIdOf(body.bulkId);
  } catch (err) {
    throw badRequest('bulkId', (err as Error).message);
  }
  return { step, action: body.action as BulkAction, reason, process, output: output as Record<string, string> | undefined, bulkId };
}

/** Decides every open escalation of the step on this console's task queue, as the caller. */
export async function bulkResolve(
  client: Client,
  config: OvertureConfig,
  body: Record<string, unknown>,
  caller: Caller,
): Promise<BulkReport> {
  const request = parseBulk(body);
  return resolveInBulk(client, { ...request, identity: caller.identity, taskQueue: config.TEMPORAL_TASK_QUEUE });
}

/** The runs a bulk decision would change now, one per run (`POST /api/escalations/bulk/preview`): nothing is decided. */
export interface BulkPreview {
  runs: { workflowId: string; process: string; step: string; question: string; since: string }[];
  count: number;
}

/** The same selection as {@link bulkResolve}, from the same checked body, without deciding anything. */
export async function previewBulk(client: Client, config: OvertureConfig, body: Record<string, unknown>): Promise<BulkPreview> {
  const request = parseBulk(body);
  const targets = await bulkTargets(client, { ...request, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const runs = targets.map(({ workflowId, process, step, question, since }) => ({ workflowId, process, step, question, since }));
  return { runs, count: runs.length };
}
