/**
 * What a simulation is asked to play: faults, people's answers (each given some time after its question is asked),
 * questions nobody answers, events at offsets from the start, and how far to look. Parsed and checked against the
 * process before anything starts, so a typo is a usage error (exit 2), not a run that silently differs.
 */
import { InputError, parseFaultSpec } from '../../workflows/kit/input';
import type { FaultMode } from '../../workflows/kit/types';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** The longest simulated stretch a scenario may name: a year is more than any process here waits. */
export const MAX_OFFSET_MS = 366 * UNIT_MS.d;

/** An answer a person gives `afterMs` after the question is asked (its step's latest open question, or one by id). */
export interface SimulatedAnswer {
  question: string;
  decision: string;
  afterMs: number;
}

/** An event delivered `afterMs` after the run starts; `data` defaults to what the run's input says (see runner). */
export interface SimulatedEvent {
  type: string;
  afterMs: number;
  data?: Record<string, unknown>;
}

/** A whole scenario, checked. */
export interface SimulationScenario {
  faults: Partial<Record<string, FaultMode>>;
  answers: SimulatedAnswer[];
  noAnswer: string[];
  events: SimulatedEvent[];
  /** Simulated time after which the run is reported as still waiting. */
  horizonMs: number;
}

/** The default horizon: a month of simulated time covers every ladder and sequence of the installed processes. */
export const DEFAULT_HORIZON_MS = 30 * UNIT_MS.d;

/** Reads an offset: `+2d`, `+4h`, `+30m`, `+90s`, `+1w`, `+1d12h`, `+0`; the `+` may be left out. */
export function parseOffset(text: string, what: string): number {
  const body = text.trim().replace(/^\+/, '');
  if (body === '0') return 0;
  const parts = [...body.matchAll(/(\d{1,6})([smhdw])/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== body)
    throw new InputError([`${what}: "${text}" is not an offset; write +2d, +4h, +30m, +90s, +1w or +1d12h`]);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2] as keyof typeof UNIT_MS], 0);
  if (ms > MAX_OFFSET_MS) throw new InputError([`${what}: "${text}" is longer than a year`]);
  return ms;
}

/** Says an offset back in the shortest exact words: 2d, 4h30m, 0s. */
export function formatOffset(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms / 1000) * 1000;
  let text = '';
  for (const [unit, size] of [
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text || '0s';
}

const NAME = /^[A-Za-z][\w.-]*$/;

/** A question is named by its step (`approveAccess`) or by its id (`createWorkspace#1`, `review/approval#1`). */
function checkQuestionName(name: string, steps: readonly string[], what: string): void {
  const step = name.split(/[#/]/)[0]!;
  if (!NAME.test(step) || !steps.includes(step))
    throw new InputError([`${what}: unknown question ${name}; name it by its step (${steps.join(', ')}) or its id (STEP#1)`]);
}

/** Reads `question=decision@+2d` (the offset counts from when the question is asked; without it, at once). */
export function parseAnswerSpec(spec: string, steps: readonly string[]): SimulatedAnswer {
  const match = /^([^=@]+)=([^=@]+)(?:@(.+))?$/.exec(spec.trim());
  if (!match) throw new InputError([`answer "${spec}": expected question=decision@+OFFSET, e.g. ${steps[0] ?? 'step'}=skip@+2d`]);
  const [, question, decision, offset] = match as unknown as [string, string, string, string | undefined];
  checkQuestionName(question, steps, `answer "${spec}"`);
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(decision))
    throw new InputError([`answer "${spec}": the decision must be a word such as approve, reject, done, retry, skip or abort`]);
  return { question, decision, afterMs: offset === undefined ? 0 : parseOffset(offset, `answer "${spec}"`) };
}

/** Reads `type@+3d`; the type must be one the process takes. */
export function parseEventSpec(spec: string, eventTypes: readonly string[]): SimulatedEvent {
  const match = /^([^@]+)(?:@(.+))?$/.exec(spec.trim());
  const type = match?.[1]?.trim() ?? '';
  if (!eventTypes.includes(type))
    throw new InputError([
      `event "${spec}": ${eventTypes.length ? `the process takes ${eventTypes.join(', ')}` : 'the process takes no events'}`,
    ]);
  return { type, afterMs: match?.[2] === undefined ? 0 : parseOffset(match[2], `event "${spec}"`) };
}

/** The scenario's parts as the CLI and the console receive them, unparsed. */
export interface ScenarioSpecs {
  faults?: readonly string[];
  answers?: readonly string[];
  noAnswer?: readonly string[];
  events?: readonly string[];
  until?: string;
}

/** Parses and checks every part against the process's steps and event types; throws one InputError naming each problem. */
export function parseScenario(
  specs: ScenarioSpecs,
  process: { steps: readonly string[]; eventTypes: readonly string[] },
): SimulationScenario {
  const problems: string[] = [];
  const each = <T>(items: readonly string[] | undefined, parse: (s: string) => T): T[] =>
    (items ?? []).flatMap((s) => {
      try {
        return [parse(s)];
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        problems.push(...err.problems);
        return [];
      }
    });
  const faults = Object.fromEntries(
    each(specs.faults, (s) => parseFaultSpec(s, process.steps)).flatMap((f) => (f.fault ? [[f.step, f.fault]] : [])),
  ) as Partial<Record<string, FaultMode>>;
  const answers = each(specs.answers, (s) => parseAnswerSpec(s, process.steps));
  const noAnswer = each(specs.noAnswer, (s) => {
    checkQuestionName(s.trim(), process.steps, `no-answer "${s}"`);
    return s.trim();
  });
  for (const name of noAnswer)
    if (answers.some((a) => a.question === name)) problems.push(`${name}: both answered and never answered; drop one`);
  const events = each(specs.events, (s) => parseEventSpec(s, process.eventTypes));
  const [horizonMs] = each([specs.until ?? `+${DEFAULT_HORIZON_MS / UNIT_MS.d}d`], (s) => parseOffset(s, 'until'));
  if (horizonMs === 0) problems.push('until: the horizon must be after the start');
  if (problems.length) throw new InputError(problems, 'simulation');
  return { faults, answers, noAnswer, events, horizonMs: horizonMs! };
}
