/** What the console's route modules share: the request's path parts, its query string as an object, and the checks of ids. */
import type http from 'node:http';
import type { z } from 'zod';
import { parseInput } from '../../../../workflows/kit/input';
import { HttpError } from '../http-helpers';

/** A route module's answer: true when it handled the request. */
export type Handled = Promise<boolean>;

/** The method and the decoded parts of an /api path (['api', resource, ...]). */
export function routeOf(req: http.IncomingMessage, url: URL): { method: string; parts: string[] } {
  const parts = url.pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  return { method: req.method ?? 'GET', parts };
}

/**
 * The query string as an object, checked against a schema (an InputError, 400, names each bad field). A
 * parameter given twice is refused: which one counts would be a guess.
 */
export function parseQuery<T>(url: URL, schema: z.ZodType<T>, what: string): T {
  const raw: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(raw, key)) throw new HttpError(400, `${key} is given twice`, { problems: [`${key}: given twice`] });
    raw[key] = value;
  }
  return parseInput(schema, raw, what);
}

/** A workflow id in a path: bounded, printable. */
export function checkRunId(id: string): string {
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 400 || /[\u0000-\u001f\u007f]/.test(id))
    throw new HttpError(400, 'the run id must be 1-400 printable characters', { problems: ['id: must be 1-400 printable characters'] });
  return id;
}
