/** Turns whatever a request handler threw into the JSON answer the API documents. */
import type http from 'node:http';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { InputError } from '../../../workflows/kit/input';
import { UnknownProcessError } from '../../registry';
import { HttpError, json } from './http-helpers';
import { redactUrlsIn } from '../../config/redact-url';

/**
 * For a decision on a run that no longer accepts one: "run X has already ended (completed)", else undefined.
 * Temporal reports an Update to a closed run as "not found"; the operator needs to hear that it ended instead.
 */
async function endedRun(client: Client, req: http.IncomingMessage): Promise<string | undefined> {
  const match = /^\/api\/runs\/([^/]+)\/(resolve|approve|answer|inject)$/.exec(new URL(req.url ?? '/', 'http://console.invalid').pathname);
  if (!match?.[1] || req.method !== 'POST') return undefined;
  const workflowId = decodeURIComponent(match[1]);
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.status.name === 'RUNNING'
    ? undefined
    : `run ${workflowId} has already ended (${description.status.name.toLowerCase()})`;
}

/** 4xx for the caller's mistakes and the workflow's refusals, 500 (logged) for anything else. */
export async function sendError(
  client: Client,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  err: unknown,
  log: (line: string) => void,
): Promise<void> {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof HttpError) return json(res, err.status, { error: err.message, ...err.extra }, err.headers);
  // The first line of the message says what was invalid ("invalid financial-close input"); problems name the fields.
  if (err instanceof InputError) return json(res, 400, { error: err.message.split('\n')[0]!.replace(/:$/, ''), problems: err.problems });
  if (err instanceof UnknownProcessError) return json(res, 400, { error: err.message, problems: [`process: ${err.message}`] });
  if (err instanceof WorkflowUpdateFailedError) return json(res, 409, { error: err.cause?.message ?? err.message });
  if (err instanceof WorkflowNotFoundError) {
    return endedRun(client, req).then(
      (ended) => (ended ? json(res, 409, { error: ended }) : json(res, 404, { error: 'run not found' })),
      () => json(res, 404, { error: 'run not found' }),
    );
  }
  const message = redactUrlsIn(err instanceof Error ? err.message : String(err));
  log(`error on ${req.method} ${req.url?.split('?')[0]}: ${message}`);
  return json(res, 500, { error: err instanceof Error ? message : 'internal error' });
}
