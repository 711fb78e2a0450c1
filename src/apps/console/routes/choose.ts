/**
 * "Which approach?" (src/choose): the seed's questionnaire, as `overture choose` asks it.
 *
 *   GET  /api/choose                 -> { questions: { id, text, options: { value, label }[] }[] }
 *   POST /api/choose { answers }     -> { approach: 'sequential'|'dag'|'event-driven', reasons: string[], example: { process, title, path } }
 *
 * Every signed-in caller may ask: the POST changes nothing (api.ts lets viewers send it). Wrong answers are a 400 that
 * names each question.
 */
import type http from 'node:http';
import { questionnaire, recommend } from '../../../choose';
import { installedProcesses } from '../../../choose/installed';
import { InputError } from '../../../../workflows/kit/input';
import { json, readJson } from '../http-helpers';
import type { ApiContext } from '../api-context';
import type { Caller } from '../session';
import { routeOf, type Handled } from './route-kit';

/** Answers the questionnaire's routes; false for any other request. */
export async function handleChooseRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  _ctx: ApiContext,
  _caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (parts[1] !== 'choose' || parts.length !== 2) return false;
  if (method === 'GET') {
    json(res, 200, questionnaire());
    return true;
  }
  if (method !== 'POST') return false;
  const { answers, ...rest } = await readJson(req);
  if (Object.keys(rest).length)
    throw new InputError([`(input): unknown field(s) ${Object.keys(rest).join(', ')}; expected answers`], 'request');
  json(res, 200, recommend(answers, installedProcesses()));
  return true;
}
