/**
 * POST /api/simulate (operator): what a run of this input would do, played on simulated time with in-memory systems
 * (src/simulate), offered on the start page before the real start.
 *
 *   { process, input, faults?: { STEP: MODE }, answers?: [{ question, decision, after: '+2d' }], noAnswer?: [QUESTION],
 *     events?: [{ type, after: '+3d', data? }], until?: '+30d' }
 *   -> SimulationReport { process, workflowId, outcome, finalState, endedAfterMs, waitingFor?, path, steps, sent, wallClockMs }
 *
 * Bounded: one simulation at a time per console (a second gets 429), each within a wall-clock limit (504 past it);
 * the body is checked before anything starts (400 naming each problem).
 */
import type http from 'node:http';
import { z } from 'zod';
import { parseInput } from '../../../workflows/kit/input';
import { prepareSimulation, runSimulation, SimulationTimeoutError, type SimulationOptions } from '../../simulate/runner';
import { HttpError, json, readJson } from './http-helpers';
import type { ApiContext } from './api-context';
import type { Caller } from './session';

/** Wall-clock limit of one simulation the console runs. */
export const CONSOLE_SIMULATION_LIMIT_MS = 60_000;

const name = z.string().min(1).max(200);
const offset = z.string().min(1).max(20);
const requestSchema = z
  .object({
    process: name,
    input: z.unknown(),
    faults: z.record(name, z.string().min(1).max(40)).optional(),
    answers: z
      .array(z.object({ question: name, decision: z.string().min(1).max(40), after: offset.optional() }).strict())
      .max(50)
      .optional(),
    noAnswer: z.array(name).max(50).optional(),
    events: z
      .array(z.object({ type: name, after: offset.optional(), data: z.record(z.string(), z.unknown()).optional() }).strict())
      .max(20)
      .optional(),
    until: offset.optional(),
  })
  .strict();

/** The one simulation this console runs at a time. */
let running = false;

/** Answers POST /api/simulate; false for any other request. `options` lets tests give a running test server. */
export async function handleSimulateRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  _caller: Caller,
  options: Partial<SimulationOptions> = {},
): Promise<boolean> {
  if (url.pathname !== '/api/simulate') return false;
  if (req.method !== 'POST') throw new HttpError(405, 'POST /api/simulate');
  // Operators and above: api.ts checks every POST (and its CSRF token) before any route.
  const body = parseInput(requestSchema, await readJson(req), 'simulation');
  const prepared = prepareSimulation(
    body.process,
    body.input,
    {
      faults: Object.entries(body.faults ?? {}).map(([step, mode]) => `${step}=${mode}`),
      answers: (body.answers ?? []).map((a) => `${a.question}=${a.decision}@${a.after ?? '+0'}`),
      noAnswer: body.noAnswer,
      events: (body.events ?? []).map((e) => `${e.type}@${e.after ?? '+0'}`),
      until: body.until,
    },
    (body.events ?? []).map((e) => e.data),
  );
  if (running) throw new HttpError(429, 'a simulation is already running on this console; try again in a moment');
  running = true;
  try {
    const report = await runSimulation(prepared, {
      config: ctx.config,
      wallClockLimitMs: CONSOLE_SIMULATION_LIMIT_MS,
      log: ctx.log,
      ...(process.env.OVERTURE_SIMULATE_SERVER ? { serverAddress: process.env.OVERTURE_SIMULATE_SERVER } : {}),
      ...options,
    });
    json(res, 200, report);
  } catch (err) {
    if (err instanceof SimulationTimeoutError) throw new HttpError(504, err.message);
    throw err;
  } finally {
    running = false;
  }
  return true;
}
