/** The `{ reason }` body of a pause, resume or unpause: optional, bounded, plain text (400 naming the field otherwise). */
import type http from 'node:http';
import { z } from 'zod';
import { parseInput, safeText } from '../../../../workflows/kit/input';
import { MAX_PAUSE_REASON_CHARS } from '../../../client/system-pauses';
import { readJson } from '../http-helpers';

const reasonBody = z.object({ reason: safeText({ max: MAX_PAUSE_REASON_CHARS }).optional() }).strict();

/** The request's reason, when it gives one. */
export async function readReason(req: http.IncomingMessage): Promise<string | undefined> {
  const body = await readJson(req);
  if (body.reason === '' || body.reason === null) delete body.reason;
  return parseInput(reasonBody, body, 'request').reason;
}
