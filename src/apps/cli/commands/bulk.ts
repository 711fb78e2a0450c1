/**
 * `overture resolve --all --step STEP --action retry|skip|abort [--process P] [--reason TEXT] [--output JSON]
 * [--bulk-id ID] [--task-queue Q] [--json]`: one decision for every run with an open escalation of the step.
 * One line per run and a summary; exit code 1 when any run refused or could not be reached.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../../config/platform';
import { authorisedCaller } from '../identity';
import { UsageError, type Io } from '../io';
import { BULK_ACTIONS, bulkIdOf, resolveInBulk, type BulkAction } from '../../../client/bulk-decisions';
import { notJsonProblem } from '../../../../workflows/kit/input';
import { DECISION_LIMITS } from '../../../../workflows/kit/limits';

/** `--output`'s object of strings for a bulk skip, or a UsageError. */
function outputOf(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--output must be a JSON object of strings; it is ${notJsonProblem(text)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new UsageError('--output must be a JSON object of strings, e.g. {"workspaceUrl":"https://..."}');
  }
  return parsed as Record<string, string>;
}

/** Runs the bulk resolve; returns the exit code. */
export async function resolveAll(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      step: { type: 'string' },
      action: { type: 'string' },
      process: { type: 'string' },
      reason: { type: 'string' },
      output: { type: 'string' },
      'bulk-id': { type: 'string' },
      'task-queue': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 0) throw new UsageError('resolve --all takes no run ID: it decides every run with an open escalation of --step');
  if (!values.step || !values.action) throw new UsageError('resolve --all takes --step STEP --action retry|skip|abort');
  if (!BULK_ACTIONS.includes(values.action as BulkAction))
    throw new UsageError(`--action must be retry, skip or abort, not "${values.action}"`);
  const output = outputOf(values.output);
  // Each run records the reason with the bulk id after it: the whole must fit the kit's limit.
  const room = DECISION_LIMITS.reasonChars - ' (bulk bulk-0123456789)'.length;
  if (values.reason !== undefined && values.reason.length > room)
    throw new UsageError(`--reason is ${values.reason.length} characters; at most ${room} in a bulk decision`);
  let bulkId: string;
  try {
    bulkId = bulkIdOf(values['bulk-id']);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const identity = await authorisedCaller(config, 'operator', 'deciding escalations in bulk');
  const report = await resolveInBulk(client, {
    step: values.step,
    action: values.action as BulkAction,
    identity,
    reason: values.reason,
    process: values.process,
    taskQueue: values['task-queue'],
    output,
    bulkId,
  });
  if (values.json) {
    io.stdout(JSON.stringify(report, null, 2));
  } else {
    for (const o of report.outcomes)
      io.stdout(`${o.workflowId}  ${o.ok ? (o.applied ? 'applied' : 'acknowledged') : 'FAILED'}  ${o.message}`);
    io.stdout(
      report.outcomes.length === 0
        ? `no run has an open escalation of ${report.step} (bulk ${report.bulkId})`
        : `bulk ${report.bulkId}: ${report.action} ${report.step} on ${report.outcomes.length} run(s): ${report.applied} applied, ${report.acknowledged} already applied, ${report.failed} failed` +
            (report.failed ? '' : `\nrepeat safely with --bulk-id ${report.bulkId}`),
    );
  }
  return report.failed > 0 ? 1 : 0;
}
